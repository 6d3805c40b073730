import { loader } from '@monaco-editor/react';
import { definitionJsonSchemas } from '@opsloom/spec';
import * as monaco from 'monaco-editor/editor';
// The editor contributions (hover, marker navigation, code actions, …) and their services. In
// 0.57 only the JSON mode's worker client pulls them in, lazily, after the first editor has
// initialised the standalone services: the contributions then miss services ("depends on
// UNKNOWN service actionWidgetService") and schema markers have no hover to show their message.
// Loading them before any editor exists registers everything up front.
import 'monaco-editor/internal/common/workers';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/languages/features/json/json.worker?worker';
import { jsonDefaults } from 'monaco-editor/languages/features/json/register';

/**
 * Monaco bundled by Vite, never from a CDN (see shared/STACK-NOTES.md): the JSON language
 * gets its own worker, everything else the editor worker.
 */
(self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    return label === 'json' ? new JsonWorker() : new EditorWorker();
  },
};

loader.config({ monaco: monaco as unknown as Parameters<typeof loader.config>[0]['monaco'] });

/** Each kind's model URI is matched to spec's JSON Schema of that kind. */
export function modelUri(kind: string, key: string): string {
  return `inmemory://opsloom/${kind}/${key}.json`;
}

jsonDefaults.setDiagnosticsOptions({
  validate: true,
  allowComments: false,
  enableSchemaRequest: false,
  schemas: Object.entries(definitionJsonSchemas).map(([kind, schema]) => ({
    uri: `https://opsloom.dev/schemas/${kind}.json`,
    fileMatch: [`inmemory://opsloom/${kind}/*`],
    schema: schema as Record<string, unknown>,
  })),
});

export { monaco };
