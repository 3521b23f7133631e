import type { FastifyReply } from 'fastify';

/** A finished HTML answer: status, caching headers and body. */
export interface HtmlResponse {
  status: number;
  headers: Record<string, string>;
  html: string;
}

/** Applies an HtmlResponse to a `@Res({ passthrough: true })` reply; return its result. */
export function sendHtml(reply: FastifyReply, response: HtmlResponse): string {
  void reply.status(response.status).headers(response.headers).type('text/html; charset=utf-8');
  return response.html;
}
