import { Body, Controller, Delete, Get, HttpCode, Module, Param, Post } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { parseShopConfig, SHOP_CONFIG, ShopConfigModule } from '@shop/config';
import { MetricsModule, ShopLoggerModule } from '@shop/observability';
import { IsString } from 'class-validator';
import { configureShopApp } from './create-shop-app';
import { ProductIdPipe } from './product-id.pipe';

class NoteDto {
  @IsString()
  text!: string;
}

/** Records what reached the handlers, so a test can tell that a refused request did not. */
const reached: string[] = [];

@Controller('things')
class ThingsController {
  @Get(':id')
  get(@Param('id', ProductIdPipe) id: number): { id: number } {
    reached.push(`get ${id}`);
    return { id };
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ProductIdPipe) id: number): void {
    reached.push(`delete ${id}`);
  }

  @Post()
  create(@Body() note: NoteDto): NoteDto {
    reached.push(`post ${note.text}`);
    return note;
  }
}

@Module({
  imports: [ShopConfigModule, ShopLoggerModule.forApp('http-spec'), MetricsModule],
  controllers: [ThingsController],
})
class ThingsModule {}

/** An app bootstrapped the way every shop app is (configureShopApp), with a tiny controller. */
describe('a shop app', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ThingsModule] })
      .overrideProvider(SHOP_CONFIG)
      .useValue(parseShopConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }))
      .compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    configureShopApp(app, { port: (config) => config.CATALOG_API_PORT });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());
  beforeEach(() => reached.splice(0));

  const JSON_TYPE = { 'content-type': 'application/json' };

  describe('product ids in the path', () => {
    it('passes digits through as a number', async () => {
      const response = await app.inject({ method: 'GET', url: '/things/1000' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ id: 1000 });
    });

    it.each(['1e3', '0x10', '+1', '%201', '1%20', '-1', '0', '01', '1.0', '4294967296'])(
      'answers 400 naming the parameter for %s, and never reaches the handler',
      async (id) => {
        for (const method of ['GET', 'DELETE'] as const) {
          const response = await app.inject({ method, url: `/things/${id}` });
          expect(response.statusCode).toBe(400);
          expect(response.json()).toEqual({
            statusCode: 400,
            error: 'Bad Request',
            message: expect.stringMatching(
              /^id must be a product id \(digits only, 1 to 4294967295\), got /,
            ),
          });
        }
        expect(reached).toEqual([]);
      },
    );

    it('answers 400, not 500, for an id past any integer type', async () => {
      const response = await app.inject({ method: 'GET', url: '/things/9999999999999999999' });
      expect(response.statusCode).toBe(400);
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });

  describe('JSON bodies', () => {
    it('takes a DELETE that declares JSON but sends no body', async () => {
      const response = await app.inject({ method: 'DELETE', url: '/things/7', headers: JSON_TYPE });
      expect(response.statusCode).toBe(204);
      expect(reached).toEqual(['delete 7']);
    });

    it('still refuses bad JSON on a DELETE', async () => {
      const response = await app.inject({
        method: 'DELETE',
        url: '/things/7',
        headers: JSON_TYPE,
        payload: '{"oops"',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(reached).toEqual([]);
    });

    it('still refuses an empty or bad JSON body on a POST', async () => {
      for (const payload of ['', '{"text":', '{"__proto__":{"x":1}}']) {
        const response = await app.inject({
          method: 'POST',
          url: '/things',
          headers: JSON_TYPE,
          payload,
        });
        expect({ payload, status: response.statusCode }).toEqual({ payload, status: 400 });
        expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      }
      expect(reached).toEqual([]);
    });

    it('refuses fields the body class does not declare', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/things',
        headers: JSON_TYPE,
        payload: JSON.stringify({ text: 'hi', extra: 1 }),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ message: 'property extra should not exist' });
      expect(reached).toEqual([]);
    });
  });
});
