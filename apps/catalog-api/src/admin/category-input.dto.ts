import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { CATEGORY_LIMITS } from '@shop/contracts';
import type { CategoryCreate, CategoryPatch } from '@shop/persistence';

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

const SLUG_MESSAGE = (field: string): string =>
  `${field} must be 1-${CATEGORY_LIMITS.slugMaxLength} characters of a-z, 0-9 and "-"`;

// As in product-input.dto.ts: decorators run bottom-up and stop at the first failure, so the
// presence and type checks sit closest to the property.

/** Body of POST /admin/categories. */
export class CategoryCreateDto implements CategoryCreate {
  @ApiProperty({ example: 'women-coats', pattern: CATEGORY_LIMITS.slugPattern.source })
  @Matches(CATEGORY_LIMITS.slugPattern, { message: SLUG_MESSAGE('slug') })
  @IsString()
  @IsDefined({ message: 'slug is required' })
  slug!: string;

  @ApiProperty({ example: 'Coats', minLength: 1, maxLength: CATEGORY_LIMITS.nameMaxLength })
  @MaxLength(CATEGORY_LIMITS.nameMaxLength)
  @MinLength(1, { message: 'name must not be empty' })
  @IsString()
  @IsDefined({ message: 'name is required' })
  @Transform(trim)
  name!: string;

  @ApiPropertyOptional({ example: 'women', nullable: true, description: 'null or absent: a root' })
  @Matches(CATEGORY_LIMITS.slugPattern, { message: SLUG_MESSAGE('parentSlug') })
  @IsString()
  @ValidateIf((_dto, value) => value !== null && value !== undefined)
  parentSlug?: string | null;

  @ApiPropertyOptional({ example: 0, minimum: 0, description: 'absent: after the last sibling' })
  @Max(CATEGORY_LIMITS.maxPosition)
  @Min(0)
  @IsInt({ message: 'position must be a non-negative integer' })
  @IsOptional()
  position?: number;
}

/** Body of PATCH /admin/categories/:slug: any of name, parentSlug (null: a root), position. */
export class CategoryPatchDto implements CategoryPatch {
  @ApiPropertyOptional({ example: 'Coats & Jackets', maxLength: CATEGORY_LIMITS.nameMaxLength })
  @MaxLength(CATEGORY_LIMITS.nameMaxLength)
  @MinLength(1, { message: 'name must not be empty' })
  @IsString()
  // Present means a value: `"name": null` is not "leave as is".
  @ValidateIf((_dto, value) => value !== undefined)
  @Transform(trim)
  name?: string;

  @ApiPropertyOptional({ example: 'women', nullable: true, description: 'null: make it a root' })
  @Matches(CATEGORY_LIMITS.slugPattern, { message: SLUG_MESSAGE('parentSlug') })
  @IsString()
  @ValidateIf((_dto, value) => value !== null && value !== undefined)
  parentSlug?: string | null;

  @ApiPropertyOptional({ example: 0, minimum: 0 })
  @Max(CATEGORY_LIMITS.maxPosition)
  @Min(0)
  @IsInt({ message: 'position must be a non-negative integer' })
  @ValidateIf((_dto, value) => value !== undefined)
  position?: number;
}

/** Query of DELETE /admin/categories/:slug. */
export class CategoryDeleteQuery {
  @ApiPropertyOptional({
    example: 'women-jackets',
    description: 'move the products and child categories there first, in the same transaction',
  })
  @Matches(CATEGORY_LIMITS.slugPattern, { message: SLUG_MESSAGE('reassignTo') })
  @IsString({ message: 'reassignTo must be given once' })
  @IsOptional()
  reassignTo?: string;
}
