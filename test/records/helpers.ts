import type { ApiClient, Reply } from '../support/client.ts';

/** A multipart/form-data upload as a browser sends it, with the client's session and CSRF token. */
export async function upload(
  client: ApiClient,
  recordId: number,
  file: { name: string; type: string; content: string | Uint8Array },
  field = 'file',
): Promise<Reply> {
  const form = new FormData();
  const part = typeof file.content === 'string' ? file.content : Buffer.from(file.content);
  form.append(field, new Blob([part], { type: file.type }), file.name);
  const headers: Record<string, string> = { 'accept-language': client.locale };
  if (client.cookie) headers.cookie = client.cookie;
  if (client.csrf) headers['x-csrf-token'] = client.csrf;
  const res = await fetch(`${client.baseUrl}/api/v1/records/${recordId}/attachments`, {
    method: 'POST',
    headers,
    body: form,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

/** Downloads with the client's session; the body as bytes. */
export async function download(client: ApiClient, path: string) {
  const headers: Record<string, string> = {};
  if (client.cookie) headers.cookie = client.cookie;
  const res = await fetch(`${client.baseUrl}${path}`, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

export interface IncidentInput {
  title: string;
  description?: string;
  category?: string;
  impact?: number;
  urgency?: number;
}

/** The shipped catalog item requesters report incidents through. */
export const REPORT_INCIDENT = 'incident-catalog/report-incident';

/**
 * Reports an incident (the shipped itil-incident plugin) through its catalog item, as the portal
 * does, and returns the created record.
 */
export async function reportIncident(client: ApiClient, input: IncidentInput) {
  const res = await client.post('/records', {
    type: 'incident',
    catalogItem: REPORT_INCIDENT,
    data: { description: '-', category: 'other', impact: 3, urgency: 3, ...input },
  });
  if (res.status !== 201) throw new Error(`create incident: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: number; number: string; version: number; createdAt: number; title: string };
}
