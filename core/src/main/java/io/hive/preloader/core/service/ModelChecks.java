package io.hive.preloader.core.service;

import io.hive.preloader.core.gguf.GgufFormatException;
import io.hive.preloader.core.gguf.GgufReader;
import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.UnservableModel;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.ModelSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which models can be served: each file version's GGUF header, read through its source from the file's first bytes
 * with the file's real size, checked by {@link GgufReader} (counts, types, tensor extents and contiguity: a file whose
 * tensors do not fit in it is refused), once per version. The verdict is kept by fingerprint, so a listing of a folder
 * of models costs their headers once and a look costs a map read after that; a file replaced on disk is a new version
 * and is read again. Verdicts are kept per id, so they are as many as the ids ever seen. Safe for use by many threads:
 * two threads checking one new version at once both read it (the verdict is the same), and no check runs under a lock.
 */
public final class ModelChecks {
    /** How often a look retries a file that keeps changing under it before it gives up. */
    private static final int ATTEMPTS = 3;

    private final ModelSource source;
    private final Map<ModelId, Verdict> verdicts = new ConcurrentHashMap<>();

    /** One version's verdict: the error that refuses it, or none. */
    private record Verdict(Path path, Fingerprint fingerprint, Optional<Refusal> refusal) {
        boolean of(ModelDescriptor model) {
            return fingerprint.equals(model.fingerprint()) && path.equals(model.path());
        }
    }

    /** What a refusal says, kept to make a fresh exception for each refusal (with its own stack). */
    private record Refusal(String problem, OptionalLong offset) {
        InvalidModelException exception(ModelDescriptor model) {
            return new InvalidModelException(model.id(), model.path().toString(), problem, offset);
        }
    }

    public ModelChecks(ModelSource source) {
        this.source = source;
    }

    /**
     * The model of this id as it can be admitted now: found, and its header valid.
     *
     * @throws UnknownModelException when no source knows the id
     * @throws InvalidModelException when its file is not a whole, valid GGUF model, or its source cannot serve it
     */
    public ModelDescriptor admissible(ModelId id) {
        for (int attempt = 1; ; attempt++) {
            ModelDescriptor model = find(id);
            try {
                requireValid(model);
                return model;
            } catch (ModelChangedException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** The model as its source has it, without looking at its bytes; @throws UnknownModelException, InvalidModelException */
    ModelDescriptor find(ModelId id) {
        return source.find(id).orElseThrow(() -> source.unservable(id).<RuntimeException>map(UnservableModel::refusal)
                .orElseGet(() -> new UnknownModelException(id)));
    }

    /**
     * Throws unless this version's header is valid; reads it only when this version was not checked before.
     *
     * @throws InvalidModelException naming the file, the problem and the byte
     * @throws ModelChangedException when the file is no longer this version
     */
    public void requireValid(ModelDescriptor model) {
        Optional<Refusal> refusal = verdict(model).refusal();
        if (refusal.isPresent()) {
            throw refusal.get().exception(model);
        }
    }

    /** Why this version cannot be served, or empty when it can; reads its header once per version. */
    public Optional<InvalidModelException> problem(ModelDescriptor model) {
        return verdict(model).refusal().map(r -> r.exception(model));
    }

    /** Every model the source knows, each checked, sorted by id: the cost of a header for each version not seen before. */
    public List<CatalogEntry> catalog() {
        List<CatalogEntry> entries = new ArrayList<>();
        for (ModelDescriptor model : source.list()) {
            entries.add(check(model));
        }
        source.unservable().forEach(u -> entries.add(CatalogEntry.of(u)));
        entries.sort(Comparator.comparing(CatalogEntry::id));
        return entries;
    }

    /** The entry of one model, checked; empty when no source knows it. */
    public Optional<CatalogEntry> catalog(ModelId id) {
        Optional<ModelDescriptor> model = source.find(id);
        if (model.isPresent()) {
            return Optional.of(check(model.get()));
        }
        return source.unservable(id).map(CatalogEntry::of);
    }

    private CatalogEntry check(ModelDescriptor model) {
        ModelDescriptor now = model;
        for (int attempt = 1; ; attempt++) {
            try {
                return problem(now).map(p -> CatalogEntry.invalid(model, p.getMessage())).orElseGet(() -> CatalogEntry.valid(model));
            } catch (ModelChangedException e) {
                Optional<ModelDescriptor> again = source.find(model.id());
                if (again.isEmpty() || attempt >= ATTEMPTS) {
                    return CatalogEntry.invalid(model, model.path() + ": it changed while it was checked; look again");
                }
                now = again.get();
            } catch (RuntimeException e) {
                // Unreadable now (permissions, a disk error): said, but not kept, since it is no verdict on the version.
                return CatalogEntry.invalid(model, model.path() + ": cannot be read: " + e.getMessage());
            }
        }
    }

    private Verdict verdict(ModelDescriptor model) {
        Verdict known = verdicts.get(model.id());
        if (known != null && known.of(model)) {
            return known;
        }
        Verdict fresh = new Verdict(model.path(), model.fingerprint(), read(model));
        verdicts.put(model.id(), fresh);
        return fresh;
    }

    private Optional<Refusal> read(ModelDescriptor model) {
        try (HeaderBytes bytes = source.header(model)) {
            GgufReader.check(model.size(), bytes::first);
            return Optional.empty();
        } catch (GgufFormatException e) {
            return Optional.of(new Refusal(e.problem(), OptionalLong.of(e.offset())));
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            // The reader checks every length before reading; this is the net under it, worded as inspect words it.
            return Optional.of(new Refusal("not a valid GGUF file: " + e.getMessage(), OptionalLong.empty()));
        } catch (InternalError e) {
            // A page of a mapped header that is gone (SIGBUS): the file shrank while it was read.
            throw new ModelChangedException(model.path() + " shrank while its header was read");
        }
    }
}
