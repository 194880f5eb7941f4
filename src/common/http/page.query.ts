import { IntegerQuery } from './query-params';

/** The last page number accepted: with 100 a page, 10^8 items can be reached. */
export const MAX_PAGE = 1_000_000;
export const MAX_PAGE_SIZE = 100;

/** `page` and `page_size` of a paginated listing. */
export class PageQuery {
  @IntegerQuery({ min: 1, max: MAX_PAGE, default: 1, description: 'Page number, from 1.' })
  page: number = 1;

  @IntegerQuery({ min: 1, max: MAX_PAGE_SIZE, default: 20, description: 'Items per page.' })
  page_size: number = 20;
}
