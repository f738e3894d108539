/** Tags of one collection's resources: `/{collection}/{id}/tags`; every change bumps the revision. */
import type { CoreDeps } from './deps.js';
import { tagsOf, replaceTags, addTag, removeTag, bumpRevision, type StandardTable } from '../store/tables/standard.js';

export interface TagService {
  list(id: string): Promise<string[]>;
  replace(id: string, tags: string[]): Promise<string[]>;
  add(id: string, tag: string): Promise<void>;
  remove(id: string, tag: string): Promise<boolean>;
}

export function tagService(deps: Pick<CoreDeps, 'store'>, table: StandardTable): TagService {
  const { store } = deps;
  return {
    list: async (id) => (await tagsOf(store.db, [id])).get(id) ?? [],
    async replace(id, tags) {
      await store.transaction(async (tx) => { await replaceTags(tx, id, tags); await bumpRevision(tx, table, id); });
      return (await tagsOf(store.db, [id])).get(id) ?? [];
    },
    async add(id, tag) {
      await store.transaction(async (tx) => { await addTag(tx, id, tag); await bumpRevision(tx, table, id); });
    },
    async remove(id, tag) {
      return store.transaction(async (tx) => {
        const removed = await removeTag(tx, id, tag);
        if (removed) await bumpRevision(tx, table, id);
        return removed;
      });
    },
  };
}
