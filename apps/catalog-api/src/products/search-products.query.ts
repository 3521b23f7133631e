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

// Decorators of a property run bottom-up, stopping at the first failure: type checks sit
// closest to the property so "minPrice must be a number" wins over a range message.

const SLUG = /^[a-z0-9][a-z0-9-]{0,127}$/;

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
    description: 'Category slug (repeatable); a department includes its children',
    type: [String],
  })
  @Transform(({ value }) => toArray(value))
  @ArrayMaxSize(20)
  @Matches(SLUG, { each: true, message: 'category must be a category slug' })
  category: string[] = [];

  @ApiPropertyOptional({ minimum: 0 })
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'minPrice must be a number' })
  @IsOptional()
  @Type(() => Number)
  minPrice?: number;

  @ApiPropertyOptional({ minimum: 0 })
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

  toSearchQuery(categories: string[]): ProductSearchQuery {
    return {
      q: this.q?.trim() || undefined,
      categories,
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
