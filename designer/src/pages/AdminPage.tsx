/** The administration console (designer/src/admin): users, groups, notifications, jobs, audit, plugins, tokens. */
export { default } from '../admin/AdminPage.tsx';
