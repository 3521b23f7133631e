import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsNumber,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PRODUCT_LIMITS, ProductInput } from '@shop/persistence';

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

// class-validator runs a property's decorators bottom-up and stops at the first failure here
// (stopAtFirstError), so the presence and type checks sit closest to the property: a client
// hears "price must be a number", not a range error about a string.

/** Body of POST and PUT /admin/products: a whole product. */
export class ProductInputDto implements ProductInput {
  @ApiProperty({ example: 'SKU-009001', maxLength: PRODUCT_LIMITS.skuMaxLength })
  @MaxLength(PRODUCT_LIMITS.skuMaxLength)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    message: 'sku may hold letters, digits, ".", "_" and "-" only',
  })
  @IsString()
  @IsDefined({ message: 'sku is required' })
  @Transform(trim)
  sku!: string;

  @ApiProperty({ example: 'Linen Blazer', maxLength: PRODUCT_LIMITS.nameMaxLength })
  @MaxLength(PRODUCT_LIMITS.nameMaxLength)
  @MinLength(1, { message: 'name must not be empty' })
  @IsString()
  @IsDefined({ message: 'name is required' })
  @Transform(trim)
  name!: string;

  @ApiProperty({ example: 'A light blazer for warm days.' })
  @MaxLength(PRODUCT_LIMITS.descriptionMaxLength)
  @IsString()
  @IsDefined({ message: 'description is required' })
  description!: string;

  @ApiProperty({ example: 129.99, minimum: 0 })
  @Max(PRODUCT_LIMITS.maxPrice)
  @Min(0)
  @IsNumber(
    { allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 },
    { message: 'price must be a number with at most two decimals' },
  )
  @IsDefined({ message: 'price is required' })
  price!: number;

  @ApiProperty({ example: ['women-blazers'], type: [String] })
  @MaxLength(PRODUCT_LIMITS.categorySlugMaxLength, { each: true })
  @IsString({ each: true })
  @ArrayUnique()
  @ArrayMaxSize(20)
  @ArrayMinSize(1, { message: 'categories must name at least one category' })
  @IsArray()
  @IsDefined({ message: 'categories is required' })
  categories!: string[];
}

/** Body of PATCH /admin/products/:id: any subset of the fields. */
export class ProductPatchDto extends PartialType(ProductInputDto) {}
