import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsNumber,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PRODUCT_LIMITS, ProductInput } from '@shop/persistence';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** Body of POST and PUT /admin/products: a whole product. */
export class ProductInputDto implements ProductInput {
  @ApiProperty({ example: 'SKU-009001', maxLength: PRODUCT_LIMITS.skuMaxLength })
  @Transform(trim)
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'sku may hold letters, digits, ".", "_" and "-" only' })
  @MaxLength(PRODUCT_LIMITS.skuMaxLength)
  sku!: string;

  @ApiProperty({ example: 'Linen Blazer', maxLength: PRODUCT_LIMITS.nameMaxLength })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(PRODUCT_LIMITS.nameMaxLength)
  name!: string;

  @ApiProperty({ example: 'A light blazer for warm days.' })
  @IsString()
  @MaxLength(PRODUCT_LIMITS.descriptionMaxLength)
  description!: string;

  @ApiProperty({ example: 129.99, minimum: 0 })
  @IsNumber(
    { allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 },
    { message: 'price must be a number with at most two decimals' },
  )
  @Min(0)
  @Max(PRODUCT_LIMITS.maxPrice)
  price!: number;

  @ApiProperty({ example: ['women-blazers'], type: [String] })
  @IsArray()
  @ArrayMinSize(1, { message: 'categories must name at least one category' })
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(PRODUCT_LIMITS.categorySlugMaxLength, { each: true })
  categories!: string[];
}

/** Body of PATCH /admin/products/:id: any subset of the fields. */
export class ProductPatchDto extends PartialType(ProductInputDto) {}

