package io.hive.preloader.core.testing;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.StoreException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/** A model file's first bytes, read into the heap as a source asks for them: what a test source hands the header check. */
public final class FileHeader implements HeaderBytes {
    private final FileChannel channel;
    private final ModelDescriptor model;

    private FileHeader(FileChannel channel, ModelDescriptor model) {
        this.channel = channel;
        this.model = model;
    }

    /** @throws ModelChangedException when the file is no longer the version described */
    public static FileHeader open(ModelDescriptor model) {
        try {
            FileChannel channel = FileChannel.open(model.path(), StandardOpenOption.READ);
            if (!ModelFiles.fingerprint(model.path()).equals(model.fingerprint())) {
                channel.close();
                throw new ModelChangedException(model.path() + " changed since it was looked up");
            }
            return new FileHeader(channel, model);
        } catch (IOException e) {
            throw new StoreException("cannot open " + model.path() + ": " + e, e);
        }
    }

    @Override
    public MemorySegment first(long length) {
        ByteBuffer into = ByteBuffer.allocate((int) Math.min(length, model.size()));
        try {
            while (into.hasRemaining() && channel.read(into, into.position()) > 0) {
                // until full or at the end
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + model.path() + ": " + e, e);
        }
        return MemorySegment.ofArray(into.array()).asSlice(0, into.position()).asReadOnly();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new StoreException("cannot close " + model.path() + ": " + e, e);
        }
    }
}
