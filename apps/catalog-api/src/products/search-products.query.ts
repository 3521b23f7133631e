import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PRODUCT_SORTS, ProductSearchQuery, ProductSort } from '@shop/contracts';
import { PRICE_RANGE_KEYS } from '@shop/search';

// Decorators of a property run bottom-up, stopping at the first failure: type checks sit
// closest to the property so "minPrice must be a number" wins over a range message.

/** What a category slug may be (the category admin API's rule). */
const SLUG = /^[a-z0-9-]{1,64}$/;

/** More would not be a shopper ticking boxes; it bounds the terms clause and the URL. */
export const MAX_CATEGORY_SELECTIONS = 20;

function toArray(value: unknown): unknown {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** `inStock=true|false|1|0`; anything else stays as it is and fails validation by name. */
function toBoolean(value: unknown): unknown {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
}

export class SearchProductsQuery {
  @ApiPropertyOptional({ description: 'Full-text query; absent: browse' })
  @MaxLength(200)
  @IsString()
  @IsOptional()
  q?: string;

  @ApiPropertyOptional({
    description:
      'Category facet, repeatable: products in any of these categories (OR; a department ' +
      'includes its subtree). Narrows the hits (post_filter) and every other facet, but the ' +
      'category facet itself is counted as if no category were selected, so its buckets show ' +
      `what ticking another one would add. At most ${MAX_CATEGORY_SELECTIONS}.`,
    type: [String],
  })
  @Transform(({ value }) => toArray(value))
  @Matches(SLUG, { each: true, message: 'category must be a category slug ([a-z0-9-]{1,64})' })
  @ArrayMaxSize(MAX_CATEGORY_SELECTIONS, {
    message: `category may be given at most ${MAX_CATEGORY_SELECTIONS} times`,
  })
  @IsString({ each: true, message: 'category must be a category slug ([a-z0-9-]{1,64})' })
  category: string[] = [];

  @ApiPropertyOptional({
    description:
      'Repeatable: leave out products in these categories (a department includes its subtree), ' +
      'from the hits and from every facet and statistic.',
    type: [String],
  })
  @Transform(({ value }) => toArray(value))
  @Matches(SLUG, {
    each: true,
    message: 'excludeCategory must be a category slug ([a-z0-9-]{1,64})',
  })
  @ArrayMaxSize(MAX_CATEGORY_SELECTIONS, {
    message: `excludeCategory may be given at most ${MAX_CATEGORY_SELECTIONS} times`,
  })
  @IsString({ each: true, message: 'excludeCategory must be a category slug ([a-z0-9-]{1,64})' })
  excludeCategory: string[] = [];

  @ApiPropertyOptional({
    description:
      'Price facet, repeatable: products in any of these fixed ranges (OR; `from` inclusive, ' +
      '`to` exclusive, `*` open). Together with minPrice/maxPrice it forms the price facet: it ' +
      'narrows the hits and the category facet, while the price ranges and the price statistics ' +
      'are counted as if no price filter were selected.',
    type: [String],
    enum: PRICE_RANGE_KEYS,
  })
  @Transform(({ value }) => toArray(value))
  @IsIn(PRICE_RANGE_KEYS, {
    each: true,
    message: `priceRange must be one of: ${PRICE_RANGE_KEYS.join(', ')}`,
  })
  @ArrayMaxSize(PRICE_RANGE_KEYS.length, {
    message: `priceRange may be given at most ${PRICE_RANGE_KEYS.length} times`,
  })
  priceRange: string[] = [];

  @ApiPropertyOptional({
    minimum: 0,
    description: 'Lowest price (inclusive); part of the price facet, like priceRange',
  })
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'minPrice must be a number' })
  @IsOptional()
  @Type(() => Number)
  minPrice?: number;

  @ApiPropertyOptional({
    minimum: 0,
    description: 'Highest price (inclusive); part of the price facet, like priceRange',
  })
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'maxPrice must be a number' })
  @IsOptional()
  @Type(() => Number)
  maxPrice?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => toBoolean(value))
  @IsBoolean({ message: 'inStock must be true or false' })
  inStock?: boolean;

  @ApiPropertyOptional({ enum: PRODUCT_SORTS, default: 'relevance' })
  @IsOptional()
  @IsIn(PRODUCT_SORTS, { message: `sort must be one of: ${PRODUCT_SORTS.join(', ')}` })
  sort: ProductSort = 'relevance';

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @Min(1)
  @IsInt({ message: 'page must be a whole number' })
  @IsOptional()
  @Type(() => Number)
  page = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @Max(100)
  @Min(1)
  @IsInt({ message: 'size must be a whole number' })
  @IsOptional()
  @Type(() => Number)
  size = 20;

  toSearchQuery(): ProductSearchQuery {
    return {
      q: this.q?.trim() || undefined,
      categories: [...new Set(this.category)],
      excludeCategories: [...new Set(this.excludeCategory)],
      priceRanges: [...new Set(this.priceRange)],
      minPrice: this.minPrice,
      maxPrice: this.maxPrice,
      inStock: this.inStock,
      sort: this.sort,
      page: this.page,
      size: this.size,
    };
  }
}

export class SuggestQuery {
  @ApiPropertyOptional({ description: 'What the shopper has typed so far' })
  @MaxLength(100)
  @IsString({ message: 'q is required' })
  q!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 10 })
  @Max(10)
  @Min(1)
  @IsInt()
  @IsOptional()
  @Type(() => Number)
  limit = 10;
}
