import { Input, Typography } from 'antd';
import type { ReactNode } from 'react';

/**
 * The column of things to drag that the report and dashboard designers start with: a title, a
 * search box (the caller filters by what was typed), the items, and a hint under them.
 */
export function Palette({
  title,
  hint,
  onSearch,
  testId,
  children,
}: {
  title: string;
  hint: string;
  onSearch(text: string): void;
  testId: string;
  children: ReactNode;
}) {
  return (
    <div
      style={{
        width: 230,
        padding: 8,
        borderRight: '1px solid #f0f0f0',
        overflow: 'auto',
        background: '#fafafa',
      }}
      data-testid={testId}
    >
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {title}
      </Typography.Text>
      <Input.Search
        size="small"
        allowClear
        onChange={(e) => onSearch(e.target.value)}
        style={{ margin: '6px 0' }}
      />
      {children}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 8 }}>
        {hint}
      </Typography.Paragraph>
    </div>
  );
}
