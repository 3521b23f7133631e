import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { InvalidProductIdError, parseProductId } from '@shop/contracts';

/**
 * `@Param('id', ProductIdPipe)`: the route parameter as a product id (see `parseProductId`), or a
 * 400 naming the parameter. Never Nest's ParseIntPipe, which takes `1e3`, `0x10` and ` 1` for
 * numbers and so would act on another product than the one the client meant.
 */
@Injectable()
export class ProductIdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: ArgumentMetadata): number {
    try {
      return parseProductId(value, metadata.data ?? 'id');
    } catch (error) {
      if (error instanceof InvalidProductIdError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}
