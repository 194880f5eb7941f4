import { Schema } from 'mongoose';
import type { BusinessLogRecord } from './business-log.record';

export const BUSINESS_LOG_MODEL = 'BusinessLog';

export const BusinessLogSchema = new Schema<BusinessLogRecord>(
  {
    timestamp: { type: Date, required: true },
    level: { type: String, enum: ['DEBUG', 'INFO', 'WARN', 'ERROR'], required: true },
    message: { type: String, required: true },
    context: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'logs', versionKey: false, minimize: false },
);
BusinessLogSchema.index({ 'context.task_id': 1, timestamp: 1 });
BusinessLogSchema.index({ timestamp: -1 });
