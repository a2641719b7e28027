using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Orders;

/// <summary>Order transitions shared by the platform calls and the background sweeper.</summary>
internal static class OrderLifecycle
{
    public static bool IsPastLifetime(SimulatorState state, Order order, DateTimeOffset now) =>
        order.Status == OrderStatus.NotPay && order.CreatedAt + state.Settings.UnpaidOrderLifetime <= now;

    public static void ExpireDue(SimulatorState state, DateTimeOffset now)
    {
        if (state.UnpaidOrders.Count == 0)
        {
            return;
        }

        foreach (var id in state.UnpaidOrders.ToList())
        {
            var order = state.Orders[id];
            if (IsPastLifetime(state, order, now))
            {
                order.ExpiredByLifetime = true;
                Close(state, order, OrderStatus.Closed, order.CreatedAt + state.Settings.UnpaidOrderLifetime);
                Log.OrderExpired(state.Logger, order.Id, order.MachineNo);
            }
        }
    }

    public static void Pay(SimulatorState state, Order order, DateTimeOffset now)
    {
        order.Status = OrderStatus.Success;
        order.PaidAt = now;
        foreach (var record in order.Records)
        {
            record.Status = RecordStatus.WaitingPickedUp;
        }

        state.UnpaidOrders.Remove(order.Id);
    }

    public static void Close(SimulatorState state, Order order, string status, DateTimeOffset at)
    {
        order.Status = status;
        order.ClosedAt = at;
        foreach (var record in order.Records.Where(r => r.HeldQuantity > 0))
        {
            if (state.Products.TryGetValue(record.ProductId, out var product))
            {
                product.Release(record.HeldQuantity);
            }

            record.HeldQuantity = 0;
        }

        state.UnpaidOrders.Remove(order.Id);
    }
}
