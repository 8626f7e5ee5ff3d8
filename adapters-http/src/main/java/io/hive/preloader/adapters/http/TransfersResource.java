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
     */
    record TransferView(String id, String model, int device, long bytes, double seconds, Double gigabytesPerSecond,
                        double totalSeconds, String origin, String plan, String planReason, String crc32c, String handle,
                        boolean held, String since) {
    }

    /** A transfer the server holds, and the path it came through ({@code ram} or {@code disk}), for its view. */
    record Copy(Transfer transfer, String origin) implements AutoCloseable {
        @Override
        public void close() {
            transfer.close();
        }

        TransferView view(String heldId, String since) {
            DeviceCopy c = transfer.copy();
            String plan = switch (transfer.plan()) {
                case TransferPlan.Direct d -> d.pinned() ? "direct_pinned" : "direct";
                case TransferPlan.Staged s -> "staged";
            };
            String crc = transfer.crc32c().isPresent() ? String.format("%08x", transfer.crc32c().getAsLong()) : null;
            return new TransferView(heldId, c.model().value(), c.device(), c.bytes(), Units.seconds(c.took()),
                    Units.gigabytesPerSecond(c.bytes(), c.took()), Units.seconds(transfer.took()), origin, plan,
                    transfer.plan().reason(), crc, c.handle(), heldId != null, since);
        }
    }

    @Override
    public List<Route> routes() {
        return List.of(
                post("/v1/models/{id}/transfer", this::transfer),
                get("/v1/transfers", ctx -> ctx.json(Map.of("transfers", copies.list().stream().map(TransfersResource::view).toList()))),
                get("/v1/transfers/{transfer}", ctx -> ctx.json(view(copies.get(ctx.pathParam("transfer"))))),
                delete("/v1/transfers/{transfer}", ctx -> ctx.json(copies.release(ctx.pathParam("transfer"),
                        c -> c.transfer().copy().model()))));
    }

    private void transfer(Context ctx) {
        ModelId id = Route.modelId(ctx);
        TransferRequest request = Json.read(ctx.bodyAsBytes(), TransferRequest.class, TransferRequest.DEFAULT);
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
        metrics.transferred(transfer.copy().bytes(), transfer.copy().took());
        activity.transfer(transfer.copy(), copy.origin());
        if (request.keep() != null && !request.keep()) {
            TransferView view = copy.view(null, null);
            copy.close();
            ctx.json(view);
            return;
        }
        Holdings.Held<Copy> held = copies.hold(copy)
                .orElseThrow(() -> new ApiException(503, "the server is shutting down; the copy was freed"));
        ctx.status(201).header("Location", "/v1/transfers/" + held.id()).json(view(held));
    }

    private static TransferView view(Holdings.Held<Copy> held) {
        return held.value().view(held.id(), held.since().toString());
    }
}
