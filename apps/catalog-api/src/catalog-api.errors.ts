import type { ErrorStatusMapping } from '@shop/http';
import {
  CategoryCycleError,
  CategoryNotEmptyError,
  CategoryNotFoundError,
  DatabaseUnavailableError,
  DuplicateCategoryError,
  DuplicateSkuError,
  ProductNotFoundError,
  UnknownCategoryError,
} from '@shop/persistence';
import { SearchPageOutOfRangeError, SearchUnavailableError } from '@shop/search';

/** How the catalog's domain errors read over HTTP. */
export const CATALOG_API_ERRORS: readonly ErrorStatusMapping[] = [
  [DuplicateSkuError, 409],
  [UnknownCategoryError, 400],
  [ProductNotFoundError, 404],
  [DuplicateCategoryError, 409],
  [CategoryNotEmptyError, 409],
  [CategoryNotFoundError, 404],
  [CategoryCycleError, 400],
  [SearchPageOutOfRangeError, 400],
  [SearchUnavailableError, 503],
  [DatabaseUnavailableError, 503],
];
