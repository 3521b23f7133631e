import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** Forms of the shop are a few short fields; anything bigger is not one of ours. */
const FORM_BODY_LIMIT = 16 * 1024;

/** `a=1&b=2` → `{ a: '1', b: '2' }`; a repeated name keeps its first value. */
export function parseFormBody(text: string): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    if (!Object.hasOwn(form, name)) form[name] = value;
  }
  return form;
}

/**
 * Lets the storefront read `application/x-www-form-urlencoded` bodies: its forms (add to cart,
 * checkout) post without JavaScript. Fastify parses only JSON out of the box; this avoids a
 * dependency for a one-line parser, and stays in the storefront (the JSON APIs refuse forms).
 */
@Injectable()
export class FormBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (fastify.hasContentTypeParser('application/x-www-form-urlencoded')) return;
    fastify.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
      (_request, body, done) => done(null, parseFormBody(String(body))),
    );
  }
}
