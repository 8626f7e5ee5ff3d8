package io.hive.preloader.adapters.http;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.transfer.PlanMode;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;
import io.hive.preloader.core.transfer.TransferPlan;
import io.javalin.http.Context;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.hive.preloader.adapters.http.Route.delete;
import static io.hive.preloader.adapters.http.Route.get;
import static io.hive.preloader.adapters.http.Route.post;

/** Copies of models on devices: made by a transfer, held (as {@code t1, t2, …}) until a client releases them. */
record TransfersResource(ModelPreloader preloader, int defaultDevice, Holdings<Copy> copies, InFlight inFlight, PreloaderMetrics metrics,
                         RecentActivity activity) implements Resource {
    /**
     * {@code POST /v1/models/{id}/transfer}'s body; every field is optional.
     *
     * @param keep     hold the copy until released (default); false frees it at once (to measure a transfer)
     * @param checksum read the copy back and compare CRC32C chunk by chunk
     * @param plan     {@code auto}, {@code direct} or {@code staged}; the configured plan when absent
     */
    record TransferRequest(Integer device, Boolean keep, Boolean checksum, String plan) {
        static final TransferRequest DEFAULT = new TransferRequest(null, null, null, null);

        TransferOptions options() {
            TransferOptions options = TransferOptions.defaults().withChecksum(checksum != null && checksum);
            if (plan == null) {
                return options;
            }
            return options.withPlan(Arrays.stream(PlanMode.values()).filter(m -> Units.name(m).equals(plan)).findFirst()
                    .orElseThrow(() -> new ApiException(400, "plan " + Errors.quoted(plan) + " is not one of auto, direct, staged")));
        }
    }

    /**
     * A copy on a device, held (with an id to release it) or already freed.
     *
     * @param seconds            the copying alone, from the first byte read to the last written
     * @param gigabytesPerSecond bytes over {@code seconds}
     * @param totalSeconds       the whole call: loading when not resident, pinning, checking
     * @param plan               {@code direct_pinned}, {@code direct} or {@code staged}, and why in {@code planReason}
     * @param crc32c             the copy's CRC32C (hex) when a checksum was asked for and matched
     * @param handle             what another process opens the copy with (a CUDA IPC handle): only for a held copy, and
     *                           only to the admin token, since it gives access to the device memory
     * @param handleError        why there is no handle when making it failed (the copy itself is fine)
     */
    record TransferView(String id, String model, int device, long bytes, double seconds, Double gigabytesPerSecond,
                        double totalSeconds, String origin, String plan, String planReason, String crc32c, String handle,
                        String handleError, boolean held, String since) {
    }

    /** A transfer the server holds, and the path it came through ({@code ram} or {@code disk}), for its view. */
    record Copy(Transfer transfer, String origin) implements AutoCloseable {
        @Override
        public void close() {
            transfer.close();
        }

        /**
         * The copy as JSON. Its handle is made here, when first asked for (the sink keeps it): a copy freed at once has
         * none, a caller that may not see it does not cause one, and a handle that cannot be made is this copy's error,
         * never the list's.
         */
        TransferView view(String heldId, String since, Caller caller) {
            DeviceCopy c = transfer.copy();
            String plan = switch (transfer.plan()) {
                case TransferPlan.Direct d -> d.pinned() ? "direct_pinned" : "direct";
                case TransferPlan.Staged s -> "staged";
            };
            String crc = transfer.crc32c().isPresent() ? String.format("%08x", transfer.crc32c().getAsLong()) : null;
            String handle = null;
            String handleError = null;
            if (heldId != null && caller.seesSecrets()) {
                try {
                    handle = c.handle();
                } catch (RuntimeException e) {
                    // The copy is fine and listed; its handle is not: say why here, not once more in the log at each list.
                    handleError = Errors.oneLine(e.getMessage());
                }
            }
            return new TransferView(heldId, c.model().value(), c.device(), c.bytes(), Units.seconds(c.took()),
                    Units.gigabytesPerSecond(c.bytes(), c.took()), Units.seconds(transfer.took()), origin, plan,
                    transfer.plan().reason(), crc, handle, handleError, heldId != null, since);
        }
    }

    @Override
    public List<Route> routes() {
        return List.of(
                post("/v1/models/{id}/transfer", this::transfer),
                get("/v1/transfers", ctx -> ctx.json(Map.of("transfers", copies.list().stream().map(h -> view(h, Caller.of(ctx))).toList()))),
                get("/v1/transfers/{transfer}", ctx -> ctx.json(view(copies.get(ctx.pathParam("transfer")), Caller.of(ctx)))),
                delete("/v1/transfers/{transfer}", ctx -> ctx.json(copies.release(ctx.pathParam("transfer"),
                        c -> c.transfer().copy().model()))));
    }

    private void transfer(Context ctx) {
        ModelId id = Route.modelId(ctx);
        TransferRequest request = Json.read(RequestBody.of(ctx), TransferRequest.class, TransferRequest.DEFAULT);
        int device = request.device() == null ? defaultDevice : request.device();
        if (device < 0) {
            throw new ApiException(400, "device " + device + " does not exist: devices are numbered from 0");
        }
        TransferOptions options = request.options();
        boolean wasResident = ModelsResource.resident(preloader, id);
        Transfer transfer;
        try (InFlight.Ticket ticket = inFlight.start()) {
            transfer = preloader.transfer(id, device, options.withCancellation(ticket.cancellation));
        }
        Copy copy = new Copy(transfer, switch (transfer.plan()) {
            case TransferPlan.Staged staged -> Units.name(staged.from());
            default -> wasResident ? "ram" : "disk";
        });
        // The copy is this request's until the holdings take it: every way out before that frees it (keep: false, a view
        // or a count that fails).
        boolean handedOver = false;
        try {
            metrics.transferred(transfer.copy().bytes(), transfer.copy().took());
            activity.transfer(transfer.copy(), copy.origin());
            if (request.keep() != null && !request.keep()) {
                ctx.json(copy.view(null, null, Caller.of(ctx)));
                return;
            }
            handedOver = true;
            Holdings.Held<Copy> h = copies.hold(copy)
                    .orElseThrow(() -> new ApiException(503, "the server is shutting down; the copy was freed"));
            ctx.status(201).header("Location", "/v1/transfers/" + h.id()).json(view(h, Caller.of(ctx)));
        } finally {
            if (!handedOver) {
                copy.close();
            }
        }
    }

    private static TransferView view(Holdings.Held<Copy> held, Caller caller) {
        return held.value().view(held.id(), held.since().toString(), caller);
    }
}
