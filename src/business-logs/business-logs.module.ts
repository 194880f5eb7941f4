import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { BusinessLog } from './business-log.service';
import { BUSINESS_LOG_MODEL, BusinessLogSchema } from './business-log.schema';
import { BusinessLogsRepository } from './business-logs.repository';

@Global()
@Module({
  imports: [MongooseModule.forFeature([{ name: BUSINESS_LOG_MODEL, schema: BusinessLogSchema }])],
  providers: [BusinessLogsRepository, BusinessLog],
  exports: [BusinessLog, BusinessLogsRepository],
})
export class BusinessLogsModule {}
