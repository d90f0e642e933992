import { IsIn, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { FREE_EDIT_TYPES, GenerationRequestedData, MEMBER_ID_PATTERN } from '@credits/contract';
import { RESOLUTIONS, type Resolution } from '@credits/domain';

const isAiEdit = (editType: unknown) =>
  !(FREE_EDIT_TYPES as readonly string[]).includes(String(editType));

export class AuthorizationRequest {
  /** virtual_staging, twilight, object_removal, inpainting, find_and_replace, any other AI edit; color_adjustment, rotate, crop are free. */
  @IsString()
  @Length(1, 64)
  editType!: string;

  /** 1K, 2K or 4K; may be omitted for free edit types. */
  @ValidateIf(
    (request: AuthorizationRequest) =>
      request.resolution !== undefined || isAiEdit(request.editType),
  )
  @IsIn(RESOLUTIONS, {
    message: 'resolution must be 1K, 2K or 4K (it may be omitted only for free edit types)',
  })
  resolution?: Resolution;

  /** The agent inside a pooled account who would generate: their cap applies. */
  @IsOptional()
  @Matches(MEMBER_ID_PATTERN, {
    message: 'memberId must be 1-128 characters of A-Z a-z 0-9 . _ : -',
  })
  memberId?: string;
}

/** The body of POST /accounts/{id}/generations: the contract's GenerationRequested data. */
export class GenerationRequest extends GenerationRequestedData {}
