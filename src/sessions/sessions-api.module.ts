import { Module } from '@nestjs/common';
import { SessionsController } from './sessions.controller';
import { SessionsModule } from './sessions.module';

/** The HTTP side of sessions: GET /v1/sessions/:session_id. */
@Module({ imports: [SessionsModule], controllers: [SessionsController] })
export class SessionsApiModule {}
