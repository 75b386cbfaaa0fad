import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KnownNamespaces } from '../auth/known-namespaces';
import { NamespaceEntity } from './namespace.entity';
import { NamespacesController } from './namespaces.controller';
import { NamespacesRepository } from './namespaces.repository';
import { NamespacesService } from './namespaces.service';

/** Namespaces and their quotas; global, since every module that creates something checks its namespace. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([NamespaceEntity])],
  controllers: [NamespacesController],
  providers: [NamespacesRepository, NamespacesService, { provide: KnownNamespaces, useExisting: NamespacesService }],
  exports: [NamespacesService, KnownNamespaces],
})
export class NamespacesModule {}
