import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsEmail,
  IsInt,
  IsISO31661Alpha2,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_LINE_QUANTITY } from '@shop/cart';

const QUANTITY_MESSAGE = `quantity must be an integer from 0 to ${MAX_LINE_QUANTITY} (0 removes the line)`;

/**
 * Body of PUT /carts/:id/items/:productId. Validated like every body of the shop (unknown fields
 * refused, no coercion of "2" to 2); decorators run bottom-up and stop at the first failure.
 */
export class CartItemDto {
  @ApiProperty({ example: 1, minimum: 0, maximum: MAX_LINE_QUANTITY })
  @Max(MAX_LINE_QUANTITY, { message: QUANTITY_MESSAGE })
  @Min(0, { message: QUANTITY_MESSAGE })
  @IsInt({ message: QUANTITY_MESSAGE })
  @IsDefined({ message: 'quantity is required' })
  quantity!: number;
}

function text(field: string, max: number): PropertyDecorator[] {
  return [
    MaxLength(max, { message: `${field} must be at most ${max} characters` }),
    Matches(/\S/, { message: `${field} must not be blank` }),
    IsString({ message: `${field} must be a string` }),
  ];
}

function apply(decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((decorator) => decorator(target, key));
}

/** The nested address; Nest prefixes its messages with `shippingAddress.`. */
export class ShippingAddressDto {
  @ApiProperty({ example: 'Ada Lovelace' })
  @apply(text('name', 200))
  @IsNotEmpty({ message: 'name is required' })
  name!: string;

  @ApiProperty({ example: '12 Analytical Row' })
  @apply(text('line1', 200))
  @IsNotEmpty({ message: 'line1 is required' })
  line1!: string;

  @ApiPropertyOptional({ example: 'Flat 2' })
  @MaxLength(200, { message: 'line2 must be at most 200 characters' })
  @IsString({ message: 'line2 must be a string' })
  @IsOptional()
  line2?: string;

  @ApiProperty({ example: 'London' })
  @apply(text('city', 100))
  @IsNotEmpty({ message: 'city is required' })
  city!: string;

  @ApiProperty({ example: 'N1 9GU' })
  @apply(text('postcode', 20))
  @IsNotEmpty({ message: 'postcode is required' })
  postcode!: string;

  @ApiProperty({ example: 'GB', description: 'ISO 3166-1 alpha-2, upper case' })
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code such as GB' })
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as GB' })
  @IsDefined({ message: 'country is required' })
  country!: string;
}

/** Body of POST /carts/:id/checkout. */
export class CheckoutDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  @IsString({ message: 'email must be a string' })
  @IsDefined({ message: 'email is required' })
  email!: string;

  @ApiProperty({ type: ShippingAddressDto })
  @ValidateNested()
  @Type(() => ShippingAddressDto)
  @IsObject({ message: 'shippingAddress must be an object' })
  @IsDefined({ message: 'shippingAddress is required' })
  shippingAddress!: ShippingAddressDto;
}
