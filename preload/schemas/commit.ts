/**
 * `berth commit`: a container's filesystem changes (its overlay upper dir)
 * as a new image layer on top of its image, with the container's run options
 * and docker's `-c` changes in the config and a history entry.
 *
 *   containers.commit {id, repo?, message?, author?, changes?, pause?} → {id, manifestDigest, tags}
 *
 * Kept free of Node imports: the renderer imports these schemas.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';
import { ContainerId } from './containers';

export const commitMethods = {
  'containers.commit': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          id: ContainerId,
          /** REPO[:TAG]; none makes an untagged image. */
          repo: z.string().min(1).max(512).optional(),
          message: z
            .string()
            .max(64 * 1024)
            .optional(),
          author: z.string().max(1024).optional(),
          /** Dockerfile instructions: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL. */
          changes: z
            .array(
              z
                .string()
                .min(1)
                .max(64 * 1024),
            )
            .max(256)
            .optional(),
          /** Freeze a running container while its layer is read (default true, as docker). */
          pause: z.boolean().optional(),
        })
        .strict(),
    ),
    result: lazy(() => z.object({ id: z.string(), manifestDigest: z.string(), tags: z.array(z.string()) })),
    summary:
      'Make an image of a container: its upper dir as a new layer, its run options and the changes in the config',
  }),
} as const;

/** Error codes of commit. */
export const commitErrorCodes = [
  'COMMIT_CHANGE_INVALID', // a -c instruction commit cannot apply, or malformed
] as const;
