import { Table } from 'antd';
import type { ReactNode } from 'react';

// A table field's rows (an array of objects) read-only: antd's Table, small and without paging.
// A module of its own so a page loads antd's Table only when it shows a table field.

export default function ValueTable(props: {
  rows: Record<string, unknown>[];
  columns: { key: string; title: string; render: (cell: unknown) => ReactNode }[];
}) {
  return (
    <Table
      size="small"
      bordered
      pagination={false}
      scroll={{ x: 'max-content' }}
      rowKey={(row) => String(props.rows.indexOf(row))}
      dataSource={props.rows}
      columns={props.columns.map((c) => ({ key: c.key, title: c.title, dataIndex: c.key, render: c.render }))}
      data-testid="value-table"
    />
  );
}
