import { createRoot } from 'react-dom/client';
import { Router } from 'wouter';
import { PortalApp } from './PortalApp.tsx';

createRoot(document.getElementById('root')!).render(
  <Router base="/portal">
    <PortalApp />
  </Router>,
);
