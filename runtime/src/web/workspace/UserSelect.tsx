import { Select } from 'antd';
import { type CSSProperties, useEffect, useState } from 'react';
import { get, type User } from '../shared/api.ts';

/** Picks a user by name or username (GET /users?q=, staff only). */
export function UserSelect(props: { value?: string; onChange(v: string): void; style?: CSSProperties }) {
  const [q, setQ] = useState('');
  const [users, setUsers] = useState<User[]>([]);
  useEffect(() => {
    const timer = setTimeout(() => {
      get<{ items: User[] }>(`/users?limit=20${q ? `&q=${encodeURIComponent(q)}` : ''}`).then((r) =>
        setUsers(r.items),
      );
    }, 200);
    return () => clearTimeout(timer);
  }, [q]);
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={props.value}
      onChange={props.onChange}
      style={props.style}
      data-testid="user-select"
      options={users.map((u) => ({ value: u.username, label: `${u.displayName} (${u.username})` }))}
    />
  );
}
