import { jsonLdText } from '@/lib/page-metadata';

/** Structured data for search engines and link previews, escaped so it cannot end its script element. */
export function JsonLd({ data }: { data: unknown }) {
  return <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonLdText(data) }} />;
}
