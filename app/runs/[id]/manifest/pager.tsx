import Link from 'next/link';
import { secondaryButtonClass } from '../../../_components/ui.tsx';

/** Previous / next links and where we are; nothing when everything fits on one page. */
export function Pager({ label, page, pages, href }: { label: string; page: number; pages: number; href: (page: number) => string }) {
  if (pages <= 1) return null;
  return (
    <nav aria-label={label} className="mt-3 flex items-center gap-3 text-sm">
      {page > 1 ? (
        <Link href={href(page - 1)} className={secondaryButtonClass} rel="prev">
          Previous
        </Link>
      ) : null}
      <span className="text-zinc-500">
        Page {page} of {pages}
      </span>
      {page < pages ? (
        <Link href={href(page + 1)} className={secondaryButtonClass} rel="next">
          Next
        </Link>
      ) : null}
    </nav>
  );
}
