import { applyDecorators, Delete as NestDelete, Patch as NestPatch, Post as NestPost, Put as NestPut, UseInterceptors } from '@nestjs/common';
import { MutationInterceptor } from './mutation.interceptor';

/**
 * The route decorators for calls that change something: Nest's, with the MutationInterceptor (audit
 * entry, request span). Controllers take POST, PUT, PATCH and DELETE from here, never from
 * @nestjs/common (mutating-routes.spec.ts checks every registered route), so a new mutating route
 * cannot go unaudited, and reads carry no interceptor.
 */
export const Post = (path?: string | string[]): MethodDecorator => applyDecorators(NestPost(path), UseInterceptors(MutationInterceptor));
export const Put = (path?: string | string[]): MethodDecorator => applyDecorators(NestPut(path), UseInterceptors(MutationInterceptor));
export const Patch = (path?: string | string[]): MethodDecorator => applyDecorators(NestPatch(path), UseInterceptors(MutationInterceptor));
export const Delete = (path?: string | string[]): MethodDecorator => applyDecorators(NestDelete(path), UseInterceptors(MutationInterceptor));
