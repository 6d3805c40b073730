import { InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Skeleton, Typography, Upload } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { get, HttpError, post, type RecordView, uploadAttachment } from '../shared/api.ts';
import { effectiveForm, type FormRule, problemsToErrors } from '../shared/form-rules.ts';
import { useT } from '../shared/i18n.ts';
import {
  Form,
  type PendingFiles,
  PendingFilesContext,
  transformErrors,
  validators,
} from '../shared/rjsf.tsx';
import type { Catalog, CatalogItem } from './catalog-search.ts';

interface PublishedForm {
  key: string;
  version: number;
  name: unknown;
  schema: { type: 'object'; properties: Record<string, Record<string, unknown>>; required?: string[] };
  uiSchema: Record<string, unknown>;
  rules: FormRule[];
}

/**
 * A catalog item's request form: the published form rendered by rjsf, its rules applied live,
 * checked in the browser (ajv) and by the server (400 problems shown at their fields); files
 * are uploaded once the record exists.
 */
export default function RequestFormPage(props: { catalog: string; item: string }) {
  const { t, tx, locale } = useT();
  const { message } = App.useApp();
  const [, navigate] = useLocation();
  const [item, setItem] = useState<CatalogItem | null | undefined>(undefined);
  const [form, setForm] = useState<PublishedForm | null>(null);
  const [data, setData] = useState<Record<string, unknown>>({});
  const [files, setFiles] = useState<File[]>([]);
  // Files chosen in the form's attachment fields, by widget id (root_<field>); uploaded with `files`.
  const [fieldFiles, setFieldFiles] = useState<Record<string, File[]>>({});
  const fieldFilesRef = useRef(fieldFiles);
  fieldFilesRef.current = fieldFiles;
  const pending = useMemo<PendingFiles>(
    () => ({
      get: (id) => fieldFilesRef.current[id] ?? [],
      set: (id, next) => {
        fieldFilesRef.current = { ...fieldFilesRef.current, [id]: next };
        setFieldFiles(fieldFilesRef.current);
      },
    }),
    [],
  );
  const [extraErrors, setExtraErrors] = useState<Record<string, { __errors: string[] }> | undefined>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    get<Catalog>('/catalog').then(async (c) => {
      const found = c.items.find((i) => i.catalog === props.catalog && i.id === props.item) ?? null;
      setItem(found);
      if (!found) return;
      setData({ ...found.defaults });
      setForm(await get<PublishedForm>(`/forms/${found.form}`));
    });
  }, [props.catalog, props.item]);

  const rendered = useMemo(
    () =>
      form
        ? effectiveForm(form.schema, form.uiSchema, form.rules, data, locale, {
            status: 'new',
            creating: true,
            // Fields the requester never fills: read-only ones (set by the process or by staff).
            omit: (_field, prop) => prop.readOnly === true,
          })
        : null,
    [form, data, locale],
  );

  if (item === null) return <Alert type="warning" title={t('request.notFound')} />;
  if (!item || !form || !rendered) return <Skeleton active />;

  async function submit(formData: Record<string, unknown>) {
    if (!item || !form) return;
    setBusy(true);
    setFailure(null);
    setExtraErrors(undefined);
    try {
      const rec = await post<RecordView>('/records', {
        type: form.key,
        process: item.process,
        data: { ...item.defaults, ...formData },
      });
      const failed: string[] = [];
      // Files of attachment fields still in the form (a field hidden by a rule sends none).
      const chosen = Object.entries(fieldFilesRef.current).flatMap(([id, fs]) =>
        formData[id.replace(/^root_/, '')] !== undefined ? fs : [],
      );
      for (const file of [...chosen, ...files]) {
        try {
          await uploadAttachment(rec.id, file);
        } catch (err) {
          failed.push(`${file.name}: ${(err as Error).message}`);
        }
      }
      if (failed.length) message.warning(`${t('request.uploadFailed')} ${failed.join('; ')}`);
      message.success(t('request.submitted', { number: rec.number }));
      navigate(`/requests/${rec.id}`);
    } catch (err) {
      if (err instanceof HttpError && err.details?.problems?.length) {
        setExtraErrors(problemsToErrors(err.details.problems, locale));
      }
      setFailure((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <Card data-testid="request-form">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {tx(item.name)}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{tx(item.description)}</Typography.Paragraph>
      {failure && <Alert type="error" title={failure} showIcon style={{ marginBottom: 12 }} />}
      <PendingFilesContext.Provider value={pending}>
        <Form
          schema={rendered.schema as never}
          uiSchema={{ ...rendered.uiSchema, 'ui:submitButtonOptions': { norender: true } }}
          formData={data}
          validator={validators[locale]}
          transformErrors={transformErrors(locale)}
          extraErrors={extraErrors as never}
          showErrorList={false}
          noHtml5Validate
          onChange={(e) => setData(e.formData ?? {})}
          onSubmit={(e) => submit(e.formData ?? {})}
          id="request-form"
        >
          <Typography.Text strong>{t('request.attachments')}</Typography.Text>
          <Upload.Dragger
            multiple
            fileList={files.map((f, i) => ({ uid: String(i), name: f.name, size: f.size }))}
            beforeUpload={(file) => {
              setFiles((fs) => [...fs, file]);
              return false;
            }}
            onRemove={(f) => setFiles((fs) => fs.filter((_, i) => String(i) !== f.uid))}
            style={{ marginBottom: 16 }}
          >
            <p>
              <InboxOutlined style={{ fontSize: 28, color: '#2f54eb' }} />
            </p>
            <p>{t('request.dropFiles')}</p>
          </Upload.Dragger>
          <Button
            type="primary"
            htmlType="submit"
            loading={busy}
            size="large"
            data-testid="request-submit"
            style={{ marginTop: 16 }}
          >
            {t('request.submit')}
          </Button>
        </Form>
      </PendingFilesContext.Provider>
    </Card>
  );
}
