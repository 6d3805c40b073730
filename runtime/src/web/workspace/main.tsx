import { createRoot } from 'react-dom/client';
import { Router } from 'wouter';
import { WorkspaceApp } from './WorkspaceApp.tsx';

createRoot(document.getElementById('root')!).render(
  <Router base="/workspace">
    <WorkspaceApp />
  </Router>,
);
