package dev.connectors.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One runner per data folder: two dynalites on one LevelDB folder would corrupt it. An OS file lock
 * (released by the OS if the runner dies) rather than a marker file, so a crash never leaves a stale lock.
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE = "runner.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new StartupException("Another local runner" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                        + " is already using the data folder " + dataDir + ". Stop it first (Ctrl-C in its terminal), "
                        + "or give this one its own folder: ./run-local.sh --data-dir <folder>");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            throw new StartupException("Cannot use the data folder " + dataDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
