import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { JobsOptions, Queue } from 'bullmq';
import { queueConfig } from '../config';
import { TASK_QUEUE } from '../queues/queue-names';
import { PROCESS_TASK_JOB, type ProcessTaskJob } from './task-queue';
import { QueueUnavailableError } from './tasks.errors';

/** How long an enqueue may wait for Redis before the request is refused. */
const ENQUEUE_TIMEOUT_MS = 3000;

export type TaskJobState =
  | 'active'
  | 'waiting'
  | 'delayed'
  | 'prioritized'
  | 'waiting-children'
  | 'completed'
  | 'failed'
  | 'missing';

/** The one place that decides job options for task jobs (id, attempts, backoff, retention). */
@Injectable()
export class TaskQueueProducer {
  private readonly jobOptions: JobsOptions;

  constructor(
    @InjectQueue(TASK_QUEUE) private readonly queue: Queue<ProcessTaskJob>,
    @Inject(queueConfig.KEY) config: ConfigType<typeof queueConfig>,
  ) {
    this.jobOptions = {
      attempts: config.maxRetries + 1,
      backoff: { type: 'exponential', delay: config.retryBackoffMs },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
    };
  }

  /**
   * Adds the task's job; `jobId = task_id` makes a second add of the same task a no-op. BullMQ's
   * telemetry (queue-options.ts) makes the add a PRODUCER span and stores its trace context in
   * the job, so the worker continues the caller's trace.
   */
  async enqueue(taskId: string, hints: { newSession?: boolean } = {}): Promise<void> {
    const data: ProcessTaskJob = { task_id: taskId };
    if (hints.newSession === true) data.new_session = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.queue.add(PROCESS_TASK_JOB, data, { ...this.jobOptions, jobId: taskId }),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`enqueue timed out after ${ENQUEUE_TIMEOUT_MS} ms`)),
            ENQUEUE_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (err) {
      throw new QueueUnavailableError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  async state(taskId: string): Promise<TaskJobState> {
    const job = await this.queue.getJob(taskId);
    if (!job) return 'missing';
    return (await job.getState()) as TaskJobState;
  }

  /** Removes a job that no worker holds (waiting or delayed). False if it is running or gone. */
  async removeIdle(taskId: string): Promise<boolean> {
    const job = await this.queue.getJob(taskId);
    if (!job) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false; // a worker took it in the meantime
    }
  }

  /** Puts a task back on the queue, dropping a finished job left under its id. */
  async requeue(taskId: string): Promise<void> {
    const job = await this.queue.getJob(taskId);
    if (job) {
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') await job.remove();
    }
    await this.enqueue(taskId);
  }
}
