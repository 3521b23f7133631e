import { BadRequestException } from '@nestjs/common';
import { shopValidationPipe } from '@shop/http';
import { StockChangeDto } from './stock-change.dto';

/** The body of PUT /products/:id/stock through the pipe every shop app uses. */
function validate(body: unknown): Promise<unknown> {
  return shopValidationPipe().transform(body, { type: 'body', metatype: StockChangeDto });
}

async function refusal(body: unknown): Promise<string> {
  try {
    await validate(body);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    const response = (error as BadRequestException).getResponse() as { message: string[] };
    return response.message.join('; ');
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('StockChangeDto', () => {
  it.each(['increment', 'decrement', 'set'])('accepts %s with an integer stock', async (action) => {
    await expect(validate({ stock: 3, action })).resolves.toEqual({ stock: 3, action });
  });

  it('refuses a field it does not declare, naming it', async () => {
    expect(await refusal({ stock: 3, action: 'set', warehouse: 'north' })).toBe(
      'property warehouse should not exist',
    );
  });

  it.each([
    [{ action: 'set' }, 'stock is required'],
    [{ stock: '5', action: 'set' }, 'stock must be an integer from 0 to 1000000000'],
    [{ stock: 1.5, action: 'set' }, 'stock must be an integer from 0 to 1000000000'],
    [{ stock: -1, action: 'set' }, 'stock must be an integer from 0 to 1000000000'],
    [{ stock: 1_000_000_001, action: 'set' }, 'stock must be an integer from 0 to 1000000000'],
    [{ stock: 1 }, 'action is required'],
    [{ stock: 1, action: 'add' }, 'action must be one of increment, decrement, set'],
  ])('refuses %j: %s', async (body, message) => {
    expect(await refusal(body)).toBe(message);
  });

  it.each([[null], [[1, 'set']], ['set 5']])(
    'refuses a body that is not an object: %j',
    async (body) => {
      await expect(validate(body)).rejects.toBeInstanceOf(BadRequestException);
    },
  );
});
