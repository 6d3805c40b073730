import { createRoot } from 'react-dom/client';
import { setLocale } from '../shared/i18n.ts';
import { BigScreen } from './BigScreen.tsx';

// /bigscreen/<key>?token=…&lang=en — the key from the path, a share token (none: the viewer's
// session), and the screen's language when the browser on the wall has another.
const key = decodeURIComponent(window.location.pathname.replace(/^\/bigscreen\/?/, '').split('/')[0] ?? '');
const query = new URLSearchParams(window.location.search);
const lang = query.get('lang');
if (lang === 'en' || lang === 'zh-CN') setLocale(lang);

createRoot(document.getElementById('root')!).render(<BigScreen dashKey={key} token={query.get('token')} />);
