import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  getSchemaPath,
  type ApiPropertyOptions,
} from '@nestjs/swagger';
import type { JsonObject } from '../../../platform/json/json.js';

// Documentation only: parts are validated by IsParts and never run through class-transformer (see STACK-NOTES).

export class FileContentDto {
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({ example: 'image/png' }) mimeType?: string;
  @ApiPropertyOptional({ description: 'where the file is; a file needs uri or bytes' }) uri?: string;
  @ApiPropertyOptional({ format: 'byte', description: 'the content, base64' }) bytes?: string;
}

export class TextPartDto {
  @ApiProperty({ enum: ['text'] }) kind: 'text';
  @ApiProperty({ example: 'Hello!' }) text: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) metadata?: JsonObject;
}

export class DataPartDto {
  @ApiProperty({ enum: ['data'] }) kind: 'data';
  @ApiProperty({ type: 'object', additionalProperties: true }) data: JsonObject;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) metadata?: JsonObject;
}

export class FilePartDto {
  @ApiProperty({ enum: ['file'] }) kind: 'file';
  @ApiProperty({ type: FileContentDto }) file: FileContentDto;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) metadata?: JsonObject;
}

const PART_TYPES = { text: TextPartDto, data: DataPartDto, file: FilePartDto };

/** A2A-style parts as a union discriminated by `kind`; pair with ApiPartModels() on the class that uses it. */
export const PARTS_SCHEMA: ApiPropertyOptions = {
  type: 'array',
  items: {
    oneOf: Object.values(PART_TYPES).map((type) => ({ $ref: getSchemaPath(type) })),
    discriminator: {
      propertyName: 'kind',
      mapping: Object.fromEntries(Object.entries(PART_TYPES).map(([kind, type]) => [kind, getSchemaPath(type)])),
    },
  },
};

export const ApiPartModels = (): ClassDecorator => ApiExtraModels(TextPartDto, DataPartDto, FilePartDto);
