import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Auth } from '../auth/middleware.js';
import { HttpError } from '../http/http-error.js';
import { storageFault } from '../http/storage-faults.js';
import { UnsafeMarkdownError } from '../markdown/sanitize-markdown.js';
import { PostTooLargeToRenderError } from './prepare.js';
import { formValues, type FieldErrors, type FormValues } from './schema.js';
import type { PostStore } from './store.js';
import { readSubmission } from './submission.js';
import { multipartForm } from './upload.js';
import { indexPageUrl, postSourceUrl, postUrl } from './urls.js';

const MAX_PAGE = 1_000_000;
const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(MAX_PAGE).default(1) });
const EMPTY_FORM: FormValues = { title: '', content: '', tags: '' };

/** GET /, GET /posts/:slug(.md), POST /posts. */
export function postRoutes({ store, auth }: { store: PostStore; auth: Auth }): Router {
  const router = Router();

  /**
   * The index, with the post form for the author (empty, or as submitted with its errors) and
   * the files the last reindex could not publish.
   */
  const showIndex = (res: Response, page: number, status = 200, values = EMPTY_FORM, errors: FieldErrors = {}) => {
    const list = store.list(page);
    if (page > 1 && list.items.length === 0) throw new HttpError(404, 'There are no posts on that page.');
    const form = res.locals.user ? { values, errors } : undefined;
    // Files in the folder that are not on the site: only the author can do anything about them.
    const skippedFiles = res.locals.user ? store.skippedFiles() : [];
    if (status === 200) res.locals.canonicalPath = indexPageUrl(page);
    res.status(status).render('posts/index', { posts: list.items, page: list, form, skippedFiles });
  };

  router.get('/', (req, res) => {
    const query = pageQuery.safeParse(req.query);
    if (!query.success) throw new HttpError(400, 'The page number must be a whole number from 1.');
    showIndex(res, query.data.page);
  });

  router.get('/posts/:slug.md', (req, res) => {
    const source = store.source(req.params.slug);
    if (source === undefined) throw new HttpError(404);
    res.locals.canonicalPath = postSourceUrl(req.params.slug);
    res.type('text/markdown; charset=utf-8').send(source);
  });

  router.get('/posts/:slug', loadPost(store), (req, res) => {
    res.locals.canonicalPath = postUrl(String(req.params.slug));
    res.render('posts/show');
  });

  router.post('/posts', auth.requireAuthor, multipartForm, auth.verifyCsrf, async (req, res) => {
    const submission = readSubmission(req.body, req.file);
    if ('errors' in submission) return showIndex(res, 1, 400, formValues(req.body), submission.errors);
    try {
      const post = await store.create(submission.draft);
      res.redirect(303, postUrl(post.slug));
    } catch (error) {
      if (error instanceof UnsafeMarkdownError) return showIndex(res, 1, 400, formValues(req.body), { content: error.message });
      if (error instanceof PostTooLargeToRenderError) return showIndex(res, 1, 413, formValues(req.body), { content: error.message });
      // A full disk or a locked index is the machine's fault: the form comes back with every character typed.
      const fault = storageFault(error);
      if (!fault) throw error;
      if (fault.retryAfterSeconds) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
      showIndex(res, 1, fault.status, formValues(req.body), { form: fault.message });
    }
  });

  return router;
}

/** Puts the post in `res.locals.post`, or answers 404. */
function loadPost(store: PostStore): RequestHandler {
  return (req, res, next) => {
    const post = store.get(String(req.params.slug));
    if (!post) throw new HttpError(404);
    res.locals.post = post;
    next();
  };
}
