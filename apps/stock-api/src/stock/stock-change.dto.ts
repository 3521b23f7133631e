import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsIn, IsInt, Max, Min } from 'class-validator';
import { MAX_STOCK, STOCK_ACTIONS, type StockAction } from '@shop/contracts';

const STOCK_MESSAGE = `stock must be an integer from 0 to ${MAX_STOCK}`;

/**
 * Body of PUT /products/:id/stock, validated by the apps' shared ValidationPipe like the admin
 * API's bodies: a field this class does not declare is refused with a 400 naming it (a typo such
 * as `"qty"` must not pass as a request that sets nothing). Without implicit conversion `"5"` is
 * not a number. Decorators run bottom-up and stop at the first failure (see product-input.dto.ts).
 */
export class StockChangeDto {
  @ApiProperty({ example: 5, minimum: 0, maximum: MAX_STOCK })
  @Max(MAX_STOCK, { message: STOCK_MESSAGE })
  @Min(0, { message: STOCK_MESSAGE })
  @IsInt({ message: STOCK_MESSAGE })
  @IsDefined({ message: 'stock is required' })
  stock!: number;

  @ApiProperty({ enum: STOCK_ACTIONS, example: 'decrement' })
  @IsIn(STOCK_ACTIONS, { message: `action must be one of ${STOCK_ACTIONS.join(', ')}` })
  @IsDefined({ message: 'action is required' })
  action!: StockAction;
}
