import { Typography } from 'antd';
import { Markdown } from 'markdown-to-jsx/react';

// Rich-text values (Markdown, as the richtext widget stores them) rendered with the renderer rjsf
// itself uses for Markdown descriptions: React elements, never an HTML string. Raw HTML is not
// parsed (it shows as text), link and image URLs are sanitised (no `javascript:`), links open in
// a new tab. A module of its own so a page loads it only when it shows rich text.

const OPTIONS = {
  disableParsingRawHTML: true,
  overrides: { a: { props: { target: '_blank', rel: 'noopener noreferrer nofollow' } } },
};

export default function MarkdownText({ text }: { text: string }) {
  return (
    <Typography className="opsloom-markdown">
      <Markdown options={OPTIONS}>{text}</Markdown>
    </Typography>
  );
}
