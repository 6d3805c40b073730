import { useEffect, useState } from 'react';
import { get, HttpError, post, setCsrf, type User } from './api.ts';

interface SessionBody {
  user: User;
  csrfToken: string | null;
}

/** The login page of every web app lives in the portal; `next` brings the person back. */
export function loginUrl(next = window.location.pathname + window.location.search): string {
  return `/portal/login?next=${encodeURIComponent(next)}`;
}

export async function login(username: string, password: string): Promise<User> {
  const body = await post<SessionBody>('/auth/login', { username, password });
  setCsrf(body.csrfToken);
  return body.user;
}

export async function logout(): Promise<void> {
  try {
    await post('/auth/logout');
  } finally {
    setCsrf(null);
    window.location.assign(loginUrl('/portal/'));
  }
}

/** Loads who is logged in; a visitor without a session is sent to the login page. */
export function useSession(): User | null {
  const [user, setUser] = useState<User | null>(null);
  useEffect(() => {
    get<SessionBody>('/auth/session')
      .then((s) => {
        setCsrf(s.csrfToken);
        setUser(s.user);
      })
      .catch((err) => {
        if (err instanceof HttpError && err.status === 401) window.location.assign(loginUrl());
        else throw err;
      });
  }, []);
  return user;
}

export const isStaff = (user: User | null) =>
  Boolean(user?.roles.some((r) => r === 'agent' || r === 'manager' || r === 'admin'));
