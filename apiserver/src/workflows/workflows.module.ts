import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TaskEntity } from '../tasks/task.entity';
import { TasksModule } from '../tasks/tasks.module';
import { WorkersModule } from '../workers/workers.module';
import { WorkflowEngine } from './engine/run-engine';
import { WorkflowScheduler } from './engine/workflow-scheduler';
import { WorkflowRunEntity } from './workflow-run.entity';
import { WorkflowRunsController } from './workflow-runs.controller';
import { WorkflowRunsRepository } from './workflow-runs.repository';
import { WorkflowRunsService } from './workflow-runs.service';
import { WorkflowEntity } from './workflow.entity';
import { WorkflowsController } from './workflows.controller';
import { WorkflowsRepository } from './workflows.repository';
import { WorkflowsService } from './workflows.service';

/** DAG workflows: definitions, runs, the engine that advances runs, and the leader's workflow scheduler. */
@Module({
  imports: [TypeOrmModule.forFeature([WorkflowEntity, WorkflowRunEntity, TaskEntity]), TasksModule, WorkersModule],
  controllers: [WorkflowsController, WorkflowRunsController],
  providers: [WorkflowsRepository, WorkflowRunsRepository, WorkflowsService, WorkflowRunsService, WorkflowEngine, WorkflowScheduler],
})
export class WorkflowsModule {}
