import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TaskEntity } from '../tasks/task.entity';
import { WorkerEntity } from './worker.entity';
import { WorkersController } from './workers.controller';
import { WorkersGateway } from './workers.gateway';
import { WorkersRegistry } from './workers.registry';
import { WorkersRepository } from './workers.repository';
import { WorkersService } from './workers.service';

@Module({
  imports: [TypeOrmModule.forFeature([WorkerEntity, TaskEntity])],
  controllers: [WorkersController],
  providers: [WorkersRepository, WorkersRegistry, WorkersGateway, WorkersService],
  exports: [WorkersRegistry, WorkersService, WorkersRepository],
})
export class WorkersModule {}
