/*
 * message.h - absencebox's texts as Kannel box-protocol messages, and the
 * delivery reports that come back (README, "How it works": acks and reports).
 *
 * A text goes out as an `sms` Msg (mt_push) carrying the notification's
 * token in dlr_url and the box id in boxc_id, so that bearerbox routes its
 * reports back to this box and each report finds its row.
 */
#ifndef ABSENCE_MESSAGE_H
#define ABSENCE_MESSAGE_H

#include "gwlib/gwlib.h"
#include "gw/msg.h"

#include "config.h"

/* Final success, final failure, SMSC accepted, SMSC rejected (1|2|8|16). */
#define MESSAGE_DLR_MASK 27

/* One claimed text, as the database hands it over. */
typedef struct OutgoingText {
    long notification_id; /* 0 for a confirmation text */
    long confirmation_id; /* 0 for a notification */
    Octstr *message_id;   /* uuid text: the Msg id bearerbox acks by */
    Octstr *token;        /* uuid text: carried in dlr_url */
    Octstr *recipient;    /* E.164 */
    Octstr *body;         /* UTF-8 */
    long expires_epoch;   /* becomes the Msg's validity */
} OutgoingText;

void outgoing_text_destroy(OutgoingText *text);
/* The same, for gwlist_destroy(). */
void outgoing_text_destroy_item(void *text);

/*
 * The sms Msg for TEXT (caller owns it): sender, smsc-id and box id from
 * CONFIG; GSM 7-bit when the body fits the alphabet, else UCS-2. Returns
 * NULL (and logs why) only when TEXT's message id is not a uuid.
 */
Msg *message_for_text(const OutgoingText *text, const AbsenceConfig *config);

/* The ack bearerbox expects for an sms it sent us (caller owns it). */
Msg *message_ack_for(Msg *incoming);

/* 1 when MSG is a delivery report (sms of type report_mo). */
int message_is_report(Msg *msg);

/* MSG's uuid (sms or ack) as text; caller destroys. */
Octstr *message_id_text(Msg *msg);

#endif
