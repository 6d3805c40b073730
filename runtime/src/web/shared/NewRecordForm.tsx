import { InboxOutlined } from '@ant-design/icons';
import { itemDefaults } from '@opsloom/spec';
import { Form, type PendingFiles, PendingFilesContext } from '@opsloom/web-forms/form';
import { Alert, App, Button, Skeleton, Typography, Upload } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { get, HttpError, post, type RecordView, uploadAttachment } from './api.ts';
import { effectiveForm, type FormRule, problemsToErrors } from './form-rules.ts';
import { useT } from './i18n.ts';

interface PublishedForm {
  key: string;
  version: number;
  name: unknown;
  schema: { type: 'object'; properties: Record<string, Record<string, unknown>>; required?: string[] };
  uiSchema: Record<string, unknown>;
  rules: FormRule[];
}

/**
 * A new record's form, as the portal's request page and the workspace's "new record" page show
 * it: the published form rendered by rjsf, its rules applied live, checked in the browser (ajv)
 * and by the server (400 problems shown at their fields); files are uploaded once the record
 * exists. Fields the process fills (`readOnly`) are left out.
 */
export function NewRecordForm(props: {
  form: string;
  process?: string;
  /** Values the form starts with and sends beside what is typed (a catalog item's defaults). */
  defaults?: Record<string, unknown>;
  /** Fields whose default is what the catalog item is: shown as values, not inputs. */
  fixed?: string[];
  /** Whom the record is for, when staff log it for someone else. */
  requester?: string;
  /** The catalog item it is requested through (`<catalog>/<item>`), which the server holds it to. */
  catalogItem?: string;
  onCreated(rec: RecordView): void;
}) {
  const { t, locale } = useT();
  const { message } = App.useApp();
  const [form, setForm] = useState<PublishedForm | null>(null);
  // The defaults in the requester's language, as when the form opened.
  const [starting] = useState(() => itemDefaults(props.defaults, locale));
  const [data, setData] = useState<Record<string, unknown>>(starting);
  const [files, setFiles] = useState<File[]>([]);
  // Files chosen in the form's attachment fields, by widget id (root_<field>); uploaded with `files`.
  const fieldFilesRef = useRef<Record<string, File[]>>({});
  const [, setFieldFiles] = useState(fieldFilesRef.current);
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
    get<PublishedForm>(`/forms/${props.form}`).then(setForm);
  }, [props.form]);

  const rendered = useMemo(
    () =>
      form
        ? effectiveForm(form.schema, form.uiSchema, form.rules, data, locale, {
            status: 'new',
            creating: true,
            access: props.fixed?.length ? { readonly: props.fixed } : null,
            // Fields a person never fills: read-only ones (set by the process).
            omit: (_field, prop) => prop.readOnly === true,
          })
        : null,
    [form, data, locale, props.fixed],
  );

  if (!form || !rendered) return <Skeleton active />;

  async function submit(formData: Record<string, unknown>) {
    setBusy(true);
    setFailure(null);
    setExtraErrors(undefined);
    try {
      const rec = await post<RecordView>('/records', {
        type: props.form,
        ...(props.process ? { process: props.process } : {}),
        ...(props.requester ? { requester: props.requester } : {}),
        ...(props.catalogItem ? { catalogItem: props.catalogItem } : {}),
        data: { ...starting, ...formData },
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
      props.onCreated(rec);
    } catch (err) {
      if (err instanceof HttpError && err.details?.problems?.length) {
        setExtraErrors(problemsToErrors(err.details.problems, locale));
      }
      setFailure((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <>
      {failure && <Alert type="error" title={failure} showIcon style={{ marginBottom: 12 }} />}
      <PendingFilesContext.Provider value={pending}>
        <Form
          schema={rendered.schema as never}
          uiSchema={{ ...rendered.uiSchema, 'ui:submitButtonOptions': { norender: true } }}
          formData={data}
          extraErrors={extraErrors as never}
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
    </>
  );
}
