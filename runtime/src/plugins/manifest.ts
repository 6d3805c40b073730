import { type Static, Type } from '@sinclair/typebox';

const I18n = Type.Union([
  Type.String(),
  Type.Object(
    { 'zh-CN': Type.Optional(Type.String()), en: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
]);

export const PluginManifestSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$' }),
    version: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?$' }),
    title: I18n,
    description: Type.Optional(I18n),
    /** Definition files, relative to the plugin folder; they may not leave it. */
    definitions: Type.Array(Type.String({ pattern: '^(?!/)(?!.*\\.\\.)[\\w./-]+\\.json$' }), { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type PluginManifest = Static<typeof PluginManifestSchema>;
