/*
 * held_acks.c - bearerbox's acks waiting to be written (see held_acks.h).
 */
#include "held_acks.h"

typedef struct Held {
    Msg *ack;
    Octstr *token; /* NULL: due at once */
    double due_at;
} Held;

struct HeldAcks {
    List *held; /* Held *, in the order they came */
    double hold_s;
    int urgent; /* a refusal is held: all are due */
};

static void held_destroy(void *item)
{
    Held *held = item;

    msg_destroy(held->ack);
    octstr_destroy(held->token);
    gw_free(held);
}

HeldAcks *held_acks_create(double hold_s)
{
    HeldAcks *acks = gw_malloc(sizeof(*acks));

    acks->held = gwlist_create();
    acks->hold_s = hold_s;
    acks->urgent = 0;
    return acks;
}

void held_acks_destroy(HeldAcks *acks)
{
    gwlist_destroy(acks->held, held_destroy);
    gw_free(acks);
}

/* Only an ack that bearerbox took the text can wait for its report. */
static int taken(Msg *ack)
{
    return ack->ack.nack == ack_success || ack->ack.nack == ack_buffered;
}

void held_acks_add(HeldAcks *acks, Msg *ack, const char *token, double now)
{
    Held *held = gw_malloc(sizeof(*held));

    held->ack = ack;
    held->token = token != NULL && taken(ack) ? octstr_create(token) : NULL;
    held->due_at = held->token != NULL ? now + acks->hold_s : now;
    if (!taken(ack))
        acks->urgent = 1;
    gwlist_append(acks->held, held);
}

/* The tokens REPORTS answer for, as a set. */
static Dict *reported_tokens(List *reports)
{
    Dict *tokens = dict_create(gwlist_len(reports) * 2 + 1, NULL);
    long i;

    for (i = 0; i < gwlist_len(reports); i++) {
        Msg *report = gwlist_get(reports, i);
        if (report->sms.dlr_url != NULL)
            dict_put(tokens, report->sms.dlr_url, report);
    }
    return tokens;
}

List *held_acks_due(HeldAcks *acks, List *reports, int flush, double now)
{
    List *due = gwlist_create(), *kept;
    int all = flush || acks->urgent;
    Dict *reported;
    Held *held;

    if (gwlist_len(acks->held) == 0) /* the usual step: nothing to match */
        return due;
    reported = reported_tokens(reports);
    kept = gwlist_create();

    /* one pass, into two lists: deleting from the middle moved the rest */
    while ((held = gwlist_extract_first(acks->held)) != NULL) {
        if (all || held->due_at <= now ||
            (held->token != NULL && dict_get(reported, held->token) != NULL)) {
            gwlist_append(due, held->ack);
            octstr_destroy(held->token);
            gw_free(held);
        } else {
            gwlist_append(kept, held);
        }
    }
    gwlist_destroy(acks->held, NULL);
    acks->held = kept;
    if (gwlist_len(kept) == 0)
        acks->urgent = 0;
    dict_destroy(reported);
    return due;
}

void held_acks_return(HeldAcks *acks, List *due)
{
    Msg *ack;

    while ((ack = gwlist_extract_first(due)) != NULL)
        held_acks_add(acks, ack, NULL, 0);
    gwlist_destroy(due, NULL);
}

long held_acks_count(HeldAcks *acks)
{
    return gwlist_len(acks->held);
}

double held_acks_wait(HeldAcks *acks, double now)
{
    double soonest = -1;
    long i;

    for (i = 0; i < gwlist_len(acks->held); i++) {
        Held *held = gwlist_get(acks->held, i);
        if (soonest < 0 || held->due_at < soonest)
            soonest = held->due_at;
    }
    if (soonest < 0)
        return -1;
    return acks->urgent || soonest <= now ? 0 : soonest - now;
}
