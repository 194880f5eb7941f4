import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MessagesRepository } from './messages.repository';
import { MESSAGE_MODEL, MessageSchema, SESSION_MODEL, SessionSchema } from './session.schema';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: SESSION_MODEL, schema: SessionSchema },
      { name: MESSAGE_MODEL, schema: MessageSchema },
    ]),
  ],
  providers: [SessionsRepository, MessagesRepository, SessionsService],
  exports: [SessionsService],
})
export class SessionsModule {}
