import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ConsoleModule } from './console/console.module';
import { TasksApiModule } from './tasks/tasks-api.module';

/** The HTTP API side of the process (modes api and all): every /v1 controller lives under here. */
@Module({ imports: [AuthModule, TasksApiModule, ConsoleModule] })
export class ApiModule {}
