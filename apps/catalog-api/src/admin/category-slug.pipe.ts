import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { CATEGORY_LIMITS } from '@shop/contracts';

/** `@Param('slug', CategorySlugPipe)`: a well-formed category slug, or a 400 naming it. */
@Injectable()
export class CategorySlugPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && CATEGORY_LIMITS.slugPattern.test(value)) return value;
    throw new BadRequestException(
      `${metadata.data ?? 'slug'} must be 1-${CATEGORY_LIMITS.slugMaxLength} characters of a-z, 0-9 and "-"`,
    );
  }
}
