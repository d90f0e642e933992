import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/**
 * The quota bench's framework floor: Nest on Fastify, as the quota service runs, with one POST
 * route that takes a JSON body and answers, and nothing else (no key check, validation, logging
 * or I/O). What it answers at saturation, against the bare Node server, is the most any route
 * of the service can reach on this machine.
 */
@Controller()
class FloorController {
  @Post()
  @HttpCode(200)
  answer(@Body() _body: unknown): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

void (async () => {
  const port = Number(process.argv[2]);
  const app = await NestFactory.create(FloorModule, new FastifyAdapter(), { logger: false });
  await app.listen(port, '127.0.0.1');
  console.log(`nest-floor-server: listening on ${port}`);
})();
